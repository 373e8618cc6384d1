"""The names the checker uses of manifold's options and states, in one place.

The verifier checks registry facts (digests, platforms served, tags
changed or not) and exit codes; what it needs to know of the engine's
vocabulary is here, so a renamed state or a new option is one edit.
"""

import json
import os

ENGINE = {
    # Extra arguments of every night's publish. A missing child is found by
    # the next publish (docs/guarantees.md, G2); an engine that re-checks
    # children only on request needs its option here.
    # manifold re-checks a rotating seventh of the targets' children each
    # night (publish.md, "Missing children"; test_publish_missing_child.sh
    # checks the rotation): the checker asks for every target every night,
    # so G2 holds after each publish.
    "publish_args": ["--recheck-children"],
    # How many publishes a child deleted from outside may stay unnoticed
    # under a list whose target says published/unchanged (1: the next
    # publish notices it). An engine that re-checks a rotating fraction of
    # the targets each night needs the number of nights of its rotation
    # here, or its re-check option in publish_args.
    "repair_publishes": 1,
    # Extra arguments of every retag run.
    "retag_args": [],
    # The option that lets publish, and retag, replace a tag manifold did
    # not write (G3); None: the checker's "force" step never runs them.
    "publish_overwrite": "--overwrite",
    "retag_overwrite": "--overwrite",
    # Target states that say "the tag holds this record's list".
    "ok_target_states": ("published", "unchanged"),
    # The state of a target whose write would shrink a tag or overwrite a
    # tag manifold did not write.
    "held_target_state": "held",
    # G4 for a failed target: its record's digest (when it has one) is what
    # the tag serves. publish.md says a failed record keeps the digest it was
    # last published with, which differs once the tag was deleted or
    # overwritten from outside; False checks held targets only.
    "failed_digest_is_served": True,
    # Copy states that say "the destination holds this record's digest".
    "ok_copy_states": ("copied", "unchanged"),
    # Exit codes: publish's "some target incomplete or held", and a config error.
    "exit_incomplete": 3,
    "exit_config_error": 2,
}

# CHAOS_ENGINE='{"publish_overwrite": "--overwrite"}' overrides entries for
# one run (JSON), to try a name before changing this file.
ENGINE.update(json.loads(os.environ.get("CHAOS_ENGINE") or "{}"))
