"""The built-in demo graph: a small, generated data set for `credgraph demo`."""
