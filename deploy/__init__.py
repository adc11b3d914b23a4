"""How forloeb runs: settings, the command line, the worker and the embedded default."""
