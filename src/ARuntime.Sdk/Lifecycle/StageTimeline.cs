using ARuntime.Sdk.Contracts;

namespace ARuntime.Sdk.Lifecycle;

/// <summary>Per-stage totals over the request (the tool-loop stages run several times).</summary>
internal sealed class StageTimeline
{
    private const int StageCount = 16;
    private readonly StageOutcome[] outcomes = new StageOutcome[StageCount];
    private readonly TimeSpan[] durations = new TimeSpan[StageCount];
    private readonly int[] executions = new int[StageCount];

    /// <summary>
    /// Records one execution. The stage's summary outcome is its last significant one: an execution that had nothing to do
    /// (for example authorization on the turn the model answered) does not hide the turn where it decided something.
    /// </summary>
    public void Record(LifecycleStage stage, StageOutcome outcome, TimeSpan duration)
    {
        var i = (int)stage - 1;
        if (executions[i] == 0 || outcome is not StageOutcome.NotApplicable)
        {
            outcomes[i] = outcome;
        }

        durations[i] += duration;
        executions[i]++;
    }

    public bool HasRun(LifecycleStage stage) => executions[(int)stage - 1] > 0;

    public IReadOnlyList<StageSummary> ToSummaries()
    {
        var list = new List<StageSummary>(StageCount);
        for (var i = 0; i < StageCount; i++)
        {
            if (executions[i] > 0)
            {
                list.Add(new StageSummary { Stage = (LifecycleStage)(i + 1), Outcome = outcomes[i], Duration = durations[i], Executions = executions[i] });
            }
        }

        return list;
    }

    public void Restore(IReadOnlyList<StageSummary> summaries)
    {
        foreach (var summary in summaries)
        {
            var i = (int)summary.Stage - 1;
            outcomes[i] = summary.Outcome;
            durations[i] = summary.Duration;
            executions[i] = summary.Executions;
        }
    }
}
