using ARuntime.Sdk.Contracts;
using ARuntime.Sdk.Evidence;

namespace ARuntime.Sdk.Lifecycle;

/// <summary>What one execution of a stage reports; the pipeline turns it into the stage's evidence record.</summary>
internal sealed class StageResult
{
    public StageResult(StageOutcome outcome, string? decision = null)
    {
        Outcome = outcome;
        Decision = decision;
    }

    public StageOutcome Outcome { get; }

    public string? Decision { get; }

    public List<string>? ReasonCodes { get; private set; }

    public AttributeMap? Attributes { get; private set; }

    public List<PayloadDigest>? Payloads { get; private set; }

    public DataClassification? Classification { get; set; }

    public static StageResult NotApplicable(string reason) => new StageResult(StageOutcome.NotApplicable).WithReason(reason);

    public StageResult WithReason(string code)
    {
        (ReasonCodes ??= []).Add(code);
        return this;
    }

    public StageResult WithReasons(IEnumerable<string> codes)
    {
        (ReasonCodes ??= []).AddRange(codes);
        return this;
    }

    public StageResult With(string key, string value)
    {
        (Attributes ??= new AttributeMap()).Set(key, value);
        return this;
    }

    public StageResult With(string key, long value) => With(key, value.ToString(System.Globalization.CultureInfo.InvariantCulture));

    public StageResult WithPayload(PayloadDigest digest)
    {
        (Payloads ??= []).Add(digest);
        return this;
    }
}
