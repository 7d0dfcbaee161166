"""Pure clinical rules. No Django import anywhere below this package.

Plain values or dataclasses in, plain dataclasses out; every rule names its source
(a section of the shared domain facts, and the literature) in its docstring.
"""
