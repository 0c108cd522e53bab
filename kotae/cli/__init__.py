"""The `kotae` command: one module per subcommand."""
