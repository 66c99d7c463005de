"""Who the local AWS answers as: moto's default account, the default region, dummy credentials.

Constants only. Everything that builds an ARN, a physical name or a client for the local stack
takes them from here, so the account in a Lambda context, a data-lake bucket name and moto's
own backends agree.
"""

from __future__ import annotations

LOCAL_ACCOUNT = "123456789012"  # moto's default account id
DEFAULT_REGION = "us-east-1"
ACCESS_KEY = "testing"  # moto accepts any credentials; these are the ones the stack prints
