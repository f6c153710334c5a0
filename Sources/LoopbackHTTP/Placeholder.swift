// LoopbackHTTP is being written.
