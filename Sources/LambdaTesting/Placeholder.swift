// LambdaTesting is being written.
