#!/usr/bin/env bash
# Re-records Tests/GroundCLITests/FixtureExpectations.json: the bundled model's answers on the
# fixture clips, which FixtureRegressionTests then holds every later build to (±40 ms). Run it
# after an intended change of the model or the pipeline, and review the diff before committing.
set -euo pipefail
cd "$(dirname "$0")/.."
GROUND_RECORD_EXPECTATIONS=1 swift test -c release --disable-swift-testing --filter FixtureRegressionTests
git --no-pager diff --stat -- Tests/GroundCLITests/FixtureExpectations.json || true
