// The declaration in include/CLibFuzzer.h is all this target is; SwiftPM wants a source file.
#include "CLibFuzzer.h"
