"""The Ray adapter layer: the only place in the package that imports ``ray``.

Each fan-out here wraps a pure core function that also runs serially; tests check both agree.
"""
