namespace ARuntime.Sdk;

/// <summary>Where a request stands.</summary>
public enum RequestState
{
    /// <summary>The request is running in this process.</summary>
    Running = 0,

    /// <summary>The request is paused waiting for approval.</summary>
    PendingApproval = 1,

    /// <summary>The request finished; see <see cref="RequestStatus.FinalStatus"/>.</summary>
    Finished = 2,

    /// <summary>The process stopped while the request ran; it was found on restart and recorded as interrupted.</summary>
    Interrupted = 3,
}
