using ARuntime.Sdk.Approvals;
using ARuntime.Sdk.Contracts;
using ARuntime.Sdk.Events;

namespace ARuntime.Sdk;

/// <summary>
/// The agent runtime facade. It takes a <see cref="RuntimeRequest"/> through the sixteen lifecycle stages: model output is
/// only ever a proposal, and the runtime decides — with explicit identity, authority, budgets, versions, recovery and
/// retention — and leaves correlated evidence of everything it did.
/// </summary>
/// <remarks>
/// Every runtime outcome, rejections and failures included, is returned as an <see cref="AgentResult"/> with a typed
/// <see cref="AgentError"/>; methods throw only for programming errors (a <see langword="null"/> argument), from
/// <see cref="RunStreamingAsync"/> when the caller abandons enumeration, and from <see cref="GetStatusAsync"/> a typed
/// <see cref="Recovery.RequestJournalUnavailableException"/> when the journal cannot be read. A fault the runtime did not
/// anticipate (a host component or store breaking its contract) still ends as a <see cref="AgentRunStatus.Failed"/> result
/// with <see cref="AgentErrorCodes.Internal"/>, never as an exception.
/// </remarks>
public interface IAgentRuntime
{
    /// <summary>Runs a request to its result.</summary>
    /// <param name="request">The request.</param>
    /// <param name="cancellationToken">Cancels the request; the result then has status <see cref="AgentRunStatus.Cancelled"/>.</param>
    /// <returns>The result.</returns>
    Task<AgentResult> RunAsync(RuntimeRequest request, CancellationToken cancellationToken = default);

    /// <summary>Runs a request and streams its progress: stage transitions, model text, tool calls, decisions, and finally the result.</summary>
    /// <param name="request">The request.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The events, ending with a <see cref="RunCompletedEvent"/>.</returns>
    IAsyncEnumerable<AgentEvent> RunStreamingAsync(RuntimeRequest request, CancellationToken cancellationToken = default);

    /// <summary>Resumes a request paused for approval with an approver's decision.</summary>
    /// <param name="decision">The approval decision.</param>
    /// <param name="cancellationToken">Cancels the resumed request.</param>
    /// <returns>
    /// The resumed request's result; or, when the decision itself is refused (unknown approval, approver not permitted, expired),
    /// a <see cref="AgentRunStatus.Rejected"/> or <see cref="AgentRunStatus.Expired"/> result explaining why.
    /// </returns>
    Task<AgentResult> ResumeAsync(ApprovalDecision decision, CancellationToken cancellationToken = default);

    /// <summary>Returns where a request stands.</summary>
    /// <param name="tenantId">The tenant that owns the request; a request of another tenant is never visible.</param>
    /// <param name="requestId">The request id.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <returns>The status, or <see langword="null"/> when the tenant has no such request.</returns>
    /// <exception cref="Recovery.RequestJournalUnavailableException">The journal could not be read.</exception>
    Task<RequestStatus?> GetStatusAsync(string tenantId, string requestId, CancellationToken cancellationToken = default);
}
