namespace ARuntime.Sdk.Evidence;

/// <summary>What became of one evidence write through the <see cref="EvidenceBuffer"/>.</summary>
internal enum EvidenceWriteStatus
{
    /// <summary>The store accepted the record at the requested durability.</summary>
    Written = 0,

    /// <summary>The store failed; the record waits in the bounded backlog and will be written when the store recovers.</summary>
    Buffered = 1,

    /// <summary>The store failed and the backlog was full; the record is lost and a gap record will say so.</summary>
    Dropped = 2,
}
