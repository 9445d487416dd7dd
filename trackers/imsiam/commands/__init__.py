"""IMSiam's sub-commands (``trackbench analyze``, ``trackbench train``), registered in
the ``trackbench.commands`` entry-point group like any plugin's (see docs/architecture.md)."""
