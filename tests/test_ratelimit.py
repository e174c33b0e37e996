"""The client-side rolling limiter: never more than `limit` calls in any window; HubSpot's headers tighten it."""

from connector.hubspot.ratelimit import RollingLimiter


class FakeClock:
    def __init__(self):
        self.now = 1000.0
        self.slept = []

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.slept.append(seconds)
        self.now += seconds


def _stamps(limiter, clock, n):
    out = []
    for _ in range(n):
        limiter.acquire()
        out.append(clock.now)
    return out


def test_never_more_than_limit_in_any_rolling_window():
    clock = FakeClock()
    limiter = RollingLimiter(10, 10.0, clock=clock, sleep=clock.sleep)
    stamps = _stamps(limiter, clock, 35)
    for i, t in enumerate(stamps):
        in_window = [s for s in stamps[: i + 1] if t - s < 10.0]
        assert len(in_window) <= 10
    assert stamps[-1] - stamps[0] >= 30.0


def test_server_max_header_lowers_the_budget():
    clock = FakeClock()
    limiter = RollingLimiter(100, 10.0, clock=clock, sleep=clock.sleep)
    limiter.observe({"X-HubSpot-RateLimit-Max": "5", "X-HubSpot-RateLimit-Remaining": "4",
                     "X-HubSpot-RateLimit-Interval-Milliseconds": "10000"})
    stamps = _stamps(limiter, clock, 6)
    assert stamps[5] - stamps[0] >= 10.0


def test_nearly_spent_remaining_pauses():
    clock = FakeClock()
    limiter = RollingLimiter(100, 10.0, clock=clock, sleep=clock.sleep)
    limiter.observe({"X-HubSpot-RateLimit-Max": "100", "X-HubSpot-RateLimit-Remaining": "0",
                     "X-HubSpot-RateLimit-Interval-Milliseconds": "10000"})
    start = clock.now
    limiter.acquire()
    assert clock.now > start


def test_headers_never_raise_the_configured_budget():
    clock = FakeClock()
    limiter = RollingLimiter(10, 10.0, clock=clock, sleep=clock.sleep)
    limiter.observe({"X-HubSpot-RateLimit-Max": "190", "X-HubSpot-RateLimit-Remaining": "150"})
    assert limiter.limit == 10
