#ifndef CLIBFUZZER_H
#define CLIBFUZZER_H

#include <stddef.h>
#include <stdint.h>

/// libFuzzer's driver, for a program that has a main of its own (libFuzzer's main is left
/// out: SwiftPM names every executable's entry point). Defined only in a binary linked with
/// -sanitize=fuzzer, so only FUZZING builds may call it.
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*test_one_input)(const uint8_t *data, size_t size));

#endif
