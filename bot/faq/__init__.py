"""The FAQ: load markdown entries, index them, match questions against them (matcher, with the
words it knows in vocabulary and its confidence's weights in calibration), tell small talk from
questions, and advise the FAQ's owners (doctor). Import from the modules: this package exports
nothing itself, so reading a constant (settings read the default threshold) doesn't load numpy."""
