# Type stubs for the parts of django-simple-history that Mutualis uses (the package ships none).
