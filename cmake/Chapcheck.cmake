# Helpers that keep every folder's CMakeLists.txt to a few lines.

# chapcheck_library(NAME SOURCES a.cc b.cc DEPS x y)
# One static library per folder; the folder's parent is the include root ("spec/spec.h").
function(chapcheck_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_library(${name} STATIC ${ARG_SOURCES})
  target_include_directories(${name} PUBLIC ${PROJECT_SOURCE_DIR})
  target_link_libraries(${name} PUBLIC ${ARG_DEPS} PRIVATE chapcheck_warnings)
endfunction()

# chapcheck_test(NAME SOURCES a_test.cc DEPS lib)
# A GoogleTest binary; each TEST becomes its own ctest entry (discovered when ctest runs, so the
# build never executes test binaries).
function(chapcheck_test name)
  if(CHAPCHECK_FUZZ)
    return()  # the libFuzzer build runs only fuzz/'s tests
  endif()
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS;LABELS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} GTest::gtest GTest::gtest_main chapcheck_warnings)
  target_compile_definitions(${name} PRIVATE
    CHAPCHECK_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
    CHAPCHECK_TEST_DATA="${PROJECT_SOURCE_DIR}/tests/data")
  set(labels unit ${ARG_LABELS})
  gtest_discover_tests(${name} DISCOVERY_MODE PRE_TEST PROPERTIES LABELS "${labels}")
endfunction()

# chapcheck_embed(OUT_VAR FILE path NAMESPACE ns SYMBOL name)
# Compiles a text file into the binary as `std::string_view ns::name()`, regenerated whenever
# the file changes, so the executable works from any directory.
function(chapcheck_embed out_var)
  cmake_parse_arguments(ARG "" "FILE;NAMESPACE;SYMBOL" "" ${ARGN})
  get_filename_component(abs "${ARG_FILE}" ABSOLUTE)
  set(out "${CMAKE_CURRENT_BINARY_DIR}/embedded_${ARG_SYMBOL}.cc")
  add_custom_command(
    OUTPUT "${out}"
    COMMAND ${CMAKE_COMMAND} -DIN=${abs} -DOUT=${out} -DNS=${ARG_NAMESPACE} -DSYMBOL=${ARG_SYMBOL}
            -P ${PROJECT_SOURCE_DIR}/cmake/embed_file.cmake
    DEPENDS "${abs}" ${PROJECT_SOURCE_DIR}/cmake/embed_file.cmake
    COMMENT "Embedding ${ARG_FILE}")
  set(${out_var} "${out}" PARENT_SCOPE)
endfunction()
