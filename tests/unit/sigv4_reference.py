#!/usr/bin/env python3
"""Prints the SigV4 values sigv4_test.cpp expects, computed by botocore (an independent SigV4
implementation) for the requests of the S3 API reference's worked examples.

Usage: tests/unit/sigv4_reference.py [ACCESS_KEY_ID SECRET_ACCESS_KEY]

Without arguments it uses the made-up pair of the tests. Given the key pair printed in the S3
API reference, it prints the signatures documented there (f0e8bdb8…, 98ad7217…, aeeed9bb…),
which is how the reference itself is checked. Needs botocore (installed with moto).
"""
import datetime
import sys
from unittest import mock

from botocore.auth import S3SigV4Auth, S3SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

TEST_KEYS = ("CARATTESTACCESSKEY01", "carat/test+secret/not-a-real-key+0000000")
HOST = "https://examplebucket.s3.amazonaws.com"
STAMP = "20130524T000000Z"


def main() -> None:
    creds = Credentials(*(sys.argv[1:3] if len(sys.argv) == 3 else TEST_KEYS))
    at = datetime.datetime(2013, 5, 24)
    with mock.patch("botocore.auth.get_current_datetime", return_value=at):
        get = AWSRequest("GET", HOST + "/test.txt", headers={"Range": "bytes=0-9"})
        get.context["payload_signing_enabled"] = True
        S3SigV4Auth(creds, "s3", "us-east-1").add_auth(get)
        print("GET /test.txt      ", get.headers["Authorization"])

        url = AWSRequest("GET", HOST + "/test.txt")
        S3SigV4QueryAuth(creds, "s3", "us-east-1", expires=86400).add_auth(url)
        print("presigned GET      ", url.url)

    # The PUT example signs both Date and x-amz-date; botocore's add_auth keeps only one of them,
    # so its canonical-request and signing steps are called directly on the example's headers.
    auth = S3SigV4Auth(creds, "s3", "us-east-1")
    put = AWSRequest("PUT", HOST + "/test%24file.text", data=b"Welcome to Amazon S3.", headers={
        "Date": "Fri, 24 May 2013 00:00:00 GMT",
        "x-amz-storage-class": "REDUCED_REDUNDANCY",
        "x-amz-date": STAMP,
        "x-amz-content-sha256": "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072",
    })
    put.context["timestamp"] = STAMP
    signature = auth.signature(auth.string_to_sign(put, auth.canonical_request(put)), put)
    print("PUT /test$file.text", "SignedHeaders=" + auth.signed_headers(auth.headers_to_sign(put)),
          "Signature=" + signature)


if __name__ == "__main__":
    main()
