"""SecondLook companion: the local service that reviews a draft before it is posted."""

__version__ = "0.1.0"
API_VERSION = 1
