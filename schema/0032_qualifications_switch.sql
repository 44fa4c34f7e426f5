-- Why: the code reads qualifications only; the skills tables go. Every skill becomes the
-- qualification of its name (the same name in two teams is one qualification) and every
-- assignment to a person, a rotation or a shift is copied first, so none is lost.

INSERT OR IGNORE INTO qualifications (name, created_at, updated_at)
SELECT name, MIN(created_at), MIN(created_at) FROM skills GROUP BY name COLLATE NOCASE;

INSERT OR IGNORE INTO person_qualifications (user_id, qualification_id, created_at, updated_at)
SELECT ps.user_id, q.id, s.created_at, s.created_at
FROM person_skills ps
JOIN skills s ON s.id = ps.skill_id
JOIN qualifications q ON q.name = s.name;

INSERT OR IGNORE INTO rotation_qualifications (qualification_id, rotation_id)
SELECT q.id, rs.rotation_id
FROM rotation_skills rs
JOIN skills s ON s.id = rs.skill_id
JOIN qualifications q ON q.name = s.name;

INSERT OR IGNORE INTO shift_qualifications (qualification_id, shift_id)
SELECT q.id, ss.shift_id
FROM shift_skills ss
JOIN skills s ON s.id = ss.skill_id
JOIN qualifications q ON q.name = s.name;

DROP TABLE shift_skills;
DROP TABLE rotation_skills;
DROP TABLE person_skills;
DROP TABLE skills;
