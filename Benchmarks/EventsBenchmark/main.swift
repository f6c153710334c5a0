print("events benchmark: not written yet")
