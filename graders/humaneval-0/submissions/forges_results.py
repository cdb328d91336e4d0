import json
import os

# Tries to give itself full marks: writes results.json before the tests run, and again from a
# process left behind. The harness runner must overwrite it (and the tests still fail).
FORGED = {"score": 7, "tests": [{"name": "forged", "score": 7, "max_score": 7, "status": "passed"}]}
if os.fork() == 0:
    for _ in range(1000):
        try:
            with open("results.json", "w") as f:
                json.dump(FORGED, f)
        except OSError:
            pass
    os._exit(0)

from typing import List


def has_close_elements(numbers: List[float], threshold: float) -> bool:
    """ Check if in given list of numbers, are any two numbers closer to each other than
    given threshold.
    >>> has_close_elements([1.0, 2.0, 3.0], 0.5)
    False
    >>> has_close_elements([1.0, 2.8, 3.0, 4.0, 5.0, 2.0], 0.3)
    True
    """
    return True
