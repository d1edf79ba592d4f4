SDK_VERSION = "0.1.0"
SDK_NAME = "tollgate-python"
