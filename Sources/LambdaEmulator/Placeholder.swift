// LambdaEmulator is being written.
