"""Golden files from real TensorFlow 2.15 and the harness that makes and checks them."""
