"""The benchmark of issue 8 (``make bench``): the app beside the floor the machine and libraries allow."""
