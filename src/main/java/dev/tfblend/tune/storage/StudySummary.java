package dev.tfblend.tune.storage;

import dev.tfblend.tune.StudyDirection;

/**
 * One line of {@link TrialStorage#getAllStudies()}: a study's id, name, direction and trial
 * count at the time of the call.
 */
public record StudySummary(long studyId, String studyName, StudyDirection direction, int nTrials) {}
