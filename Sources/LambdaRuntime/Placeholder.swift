// LambdaRuntime is being written.
