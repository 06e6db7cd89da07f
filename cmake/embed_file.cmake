# cmake -DIN=file -DOUT=file.cc -DNS=namespace -DSYMBOL=name -P embed_file.cmake
# Writes the bytes of IN as a char array (hex, so any content is safe) behind a string_view.
file(READ "${IN}" hex HEX)
string(LENGTH "${hex}" hexlen)
math(EXPR size "${hexlen} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "'\\\\x\\1'," body "${hex}")
string(REGEX REPLACE "(([^,]*,){16})" "\\1\n    " body "${body}")
file(WRITE "${OUT}.tmp"
"// Generated from ${IN} by cmake/embed_file.cmake; do not edit.\n"
"#include <string_view>\n"
"namespace ${NS} {\n"
"namespace {\n"
"constexpr char kData[${size} + 1] = {\n    ${body}'\\0'};\n"
"}  // namespace\n"
"std::string_view ${SYMBOL}() { return std::string_view(kData, ${size}); }\n"
"}  // namespace ${NS}\n")
file(COPY_FILE "${OUT}.tmp" "${OUT}" ONLY_IF_DIFFERENT)
file(REMOVE "${OUT}.tmp")
