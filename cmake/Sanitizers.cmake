# Hardening builds (issue 7). Included once from the top-level CMakeLists.txt before any target
# is defined, so the flags reach every library, executable and test.
#
#   MIRRORSCOPE_SANITIZE  AddressSanitizer + UndefinedBehaviorSanitizer for everything (gcc or
#                         clang); any UB report aborts, so a test that trips one fails.
#   MIRRORSCOPE_FUZZ      clang's libFuzzer: everything is built with coverage instrumentation
#                         plus ASan/UBSan, and tests/fuzz builds one fuzzer per target.
#
# Without MIRRORSCOPE_FUZZ, tests/fuzz still builds the fuzz entry points as plain executables
# that replay tests/fuzz/regressions/ in the normal test suite.

option(MIRRORSCOPE_SANITIZE "Build with AddressSanitizer and UndefinedBehaviorSanitizer" OFF)
option(MIRRORSCOPE_FUZZ "Build the libFuzzer targets in tests/fuzz (clang only)" OFF)

set(_mirrorscope_san_flags
    -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer)
if(CMAKE_CXX_COMPILER_ID MATCHES "Clang")
  # clang's vptr and function checks need RTTI and function type info from every library in the
  # process; Debian's Qt (built by gcc) has neither in the form they expect, so they report
  # every QSpinBox cast and std::function call. gcc's UBSan has no such checks.
  list(APPEND _mirrorscope_san_flags -fno-sanitize=vptr,function)
endif()

if(MIRRORSCOPE_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    message(FATAL_ERROR "MIRRORSCOPE_FUZZ needs clang (libFuzzer): configure with "
                        "-DCMAKE_CXX_COMPILER=clang++, found ${CMAKE_CXX_COMPILER_ID}")
  endif()
  # fuzzer-no-link: coverage feedback for all our code; only the fuzzers link libFuzzer's main.
  add_compile_options(-fsanitize=fuzzer-no-link ${_mirrorscope_san_flags})
  add_link_options(-fsanitize=address,undefined)
  # The fuzzers' own compile/link flag, used by tests/fuzz/CMakeLists.txt.
  set(MIRRORSCOPE_FUZZER_FLAG -fsanitize=fuzzer)
elseif(MIRRORSCOPE_SANITIZE)
  add_compile_options(${_mirrorscope_san_flags})
  add_link_options(-fsanitize=address,undefined)
endif()

if(MIRRORSCOPE_FUZZ OR MIRRORSCOPE_SANITIZE)
  # Line tables are all a sanitizer's stack trace needs; full -g triples the object size and
  # makes this build (run by CI on every change) markedly slower to compile and link.
  if(CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    add_compile_options(-gline-tables-only)
  else()
    add_compile_options(-g1)
  endif()
endif()
