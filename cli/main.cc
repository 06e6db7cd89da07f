#include <iostream>

#include "cli/commands.h"

int main(int argc, char** argv) {
  std::ios::sync_with_stdio(false);
  const chapcheck::cli::Args args(argv + 1, argv + argc);
  const int rc = chapcheck::cli::Main(args, std::cout, std::cerr);
  std::cout.flush();
  return rc;
}
