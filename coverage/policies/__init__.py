"""Policy tables as data (one YAML file per product); a package so the files ship in wheels."""
