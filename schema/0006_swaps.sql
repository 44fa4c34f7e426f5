-- Why: people ask colleagues to take a shift (cover, whole or part) or to exchange one (swap);
-- a manager approves after a legal check and the change applies at once. Teams tag people and
-- shifts with skills so a check can say when the taker lacks one the shift needs.

CREATE TABLE swap_requests (
    id INTEGER PRIMARY KEY,
    team_id INTEGER NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('swap', 'cover')),
    -- The person whose shift it is, and who typed the request (a manager on their behalf).
    requester_id INTEGER NOT NULL REFERENCES users (id),
    created_by INTEGER NOT NULL REFERENCES users (id),
    shift_id INTEGER REFERENCES shifts (id) ON DELETE SET NULL,
    -- What the shift was when asked (owner, start, end, layer): a change voids the request.
    shift_fingerprint TEXT NOT NULL,
    -- The stretch given away: the whole shift for a swap, whole or a part for a cover.
    starts_at TEXT NOT NULL,
    ends_at TEXT NOT NULL,
    -- A swap: the colleague's shift the requester takes in exchange.
    counter_shift_id INTEGER REFERENCES shifts (id) ON DELETE SET NULL,
    counter_fingerprint TEXT,
    -- One colleague, or NULL: open to the team.
    target_id INTEGER REFERENCES users (id),
    taker_id INTEGER REFERENCES users (id),
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN (
        'pending', 'accepted', 'approved', 'rejected', 'declined', 'cancelled', 'expired', 'void'
    )),
    note TEXT NOT NULL DEFAULT '',
    -- The checks as the deciding person saw them (JSON), and the reason given over a warning.
    findings TEXT,
    decision_reason TEXT,
    decided_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
    expires_at TEXT NOT NULL,
    created_at TEXT NOT NULL,
    accepted_at TEXT,
    decided_at TEXT,
    updated_at TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    CHECK (ends_at > starts_at)
);
CREATE INDEX swap_requests_team_status ON swap_requests (team_id, status);
CREATE INDEX swap_requests_requester ON swap_requests (requester_id, created_at);
CREATE INDEX swap_requests_shift ON swap_requests (shift_id);
CREATE INDEX swap_requests_counter ON swap_requests (counter_shift_id);
CREATE INDEX swap_requests_expiry ON swap_requests (status, expires_at);

-- Colleagues who said no to a request open to the team (it stays open for the others).
CREATE TABLE swap_declines (
    swap_id INTEGER NOT NULL REFERENCES swap_requests (id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    at TEXT NOT NULL,
    PRIMARY KEY (swap_id, user_id)
);

-- Single-use tokens carried by a manager's "swap to approve" push: Approve works from the
-- notification alone, with no page and no cookie. Only the hash is stored.
CREATE TABLE swap_approval_tokens (
    token_hash TEXT PRIMARY KEY,
    swap_id INTEGER NOT NULL REFERENCES swap_requests (id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    version INTEGER NOT NULL,
    expires_at TEXT NOT NULL,
    used_at TEXT
);
CREATE INDEX swap_approval_tokens_swap ON swap_approval_tokens (swap_id);

CREATE TABLE skills (
    id INTEGER PRIMARY KEY,
    team_id INTEGER NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (team_id, name)
);

CREATE TABLE person_skills (
    skill_id INTEGER NOT NULL REFERENCES skills (id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    PRIMARY KEY (skill_id, user_id)
);
CREATE INDEX person_skills_user ON person_skills (user_id);

-- Skills every shift of a rotation needs, and skills one shift needs on top.
CREATE TABLE rotation_skills (
    skill_id INTEGER NOT NULL REFERENCES skills (id) ON DELETE CASCADE,
    rotation_id INTEGER NOT NULL REFERENCES rotations (id) ON DELETE CASCADE,
    PRIMARY KEY (skill_id, rotation_id)
);
CREATE INDEX rotation_skills_rotation ON rotation_skills (rotation_id);

CREATE TABLE shift_skills (
    skill_id INTEGER NOT NULL REFERENCES skills (id) ON DELETE CASCADE,
    shift_id INTEGER NOT NULL REFERENCES shifts (id) ON DELETE CASCADE,
    PRIMARY KEY (skill_id, shift_id)
);
CREATE INDEX shift_skills_shift ON shift_skills (shift_id);
