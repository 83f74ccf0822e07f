namespace ARuntime.Sdk.SqlCipher.Storage;

/// <summary>
/// One unit of work for the single writer. Operations of a batch share one transaction (group commit); each runs inside
/// its own savepoint, so a failing operation is rolled back alone and the others still commit.
/// </summary>
internal abstract class WriteOperation
{
    /// <summary>Gets whether the operation must run alone, outside any transaction (rekey, checkpointing the WAL, vacuum, backup).</summary>
    public virtual bool Exclusive => false;

    /// <summary>Gets the failure recorded for this operation in the current batch, if any.</summary>
    public Exception? Failure { get; set; }

    /// <summary>Runs the operation.</summary>
    public abstract void Execute(WriteContext context);

    /// <summary>Called once the batch committed (never for a failed operation).</summary>
    public abstract void Complete();

    /// <summary>Called when the operation failed or its batch could not be committed.</summary>
    public abstract void Fail(Exception error);
}
