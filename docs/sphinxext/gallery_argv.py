"""Command-line arguments for the gallery scripts during the documentation build."""


def quick_argv(script, src_file):
    """Run every gallery script as ``python <script> --quick``.

    Parameters
    ----------
    script : object
        The gallery's script object (unused).
    src_file : str
        Path of the example being run (unused).

    Returns
    -------
    list of str
        The arguments after the script's name.
    """
    return ["--quick"]
