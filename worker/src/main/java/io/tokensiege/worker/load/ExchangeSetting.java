package io.tokensiege.worker.load;

import io.tokensiege.common.plan.Limits;
import io.tokensiege.common.plan.Timeouts;
import io.tokensiege.common.security.Redactor;

/** What every request of one worker's step shares: whose it is, its bounds, and how its records are cleaned and timed. */
record ExchangeSetting(String stepId, String workerId, Timeouts timeouts, Limits limits, Redactor redactor, EpochClock clock) {}
