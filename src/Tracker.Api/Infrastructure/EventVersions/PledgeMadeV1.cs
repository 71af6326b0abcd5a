using System.Text.Json;
using Marten.Services.Json.Transformations.SystemTextJson;
using Tracker.Domain.Commitments;

namespace Tracker.Api.Infrastructure.EventVersions;

/// <summary>
/// The first version of the pledge event, stored as "pledge_made": the amount as a bare number beside its currency, no
/// exchange rate, no ledger amount (version 1 accepted pledges only in the commitment's ledger currency, so the ledger
/// amount is the amount). Read as today's PledgeAnnounced, everywhere events are read: live aggregation, the async
/// daemon and rebuilds. The stored row is never rewritten: the log stays as it was recorded and its hash chain intact.
/// </summary>
public sealed class PledgeMadeV1 : EventUpcaster<PledgeAnnounced>
{
    public const string StoredTypeName = "pledge_made";

    public override string EventTypeName => StoredTypeName;

    protected override PledgeAnnounced Upcast(JsonDocument old)
    {
        var data = old.RootElement;
        var amount = data.GetProperty("Amount").GetDecimal();
        return new PledgeAnnounced(
            data.GetProperty("CommitmentKey").GetString()!,
            data.GetProperty("PledgeId").GetString()!,
            data.GetProperty("Pledger").GetString()!,
            new Money(amount, data.GetProperty("Currency").GetString()!),
            DateOnly.Parse(data.GetProperty("AnnouncedOn").GetString()!, System.Globalization.CultureInfo.InvariantCulture),
            Rate: null,
            LedgerAmount: amount,
            new Evidence(
                data.TryGetProperty("DocumentKey", out var key) && key.ValueKind == JsonValueKind.String ? key.GetString() : null,
                data.TryGetProperty("SourceUrl", out var url) && url.ValueKind == JsonValueKind.String ? url.GetString() : null,
                Primary: true));
    }
}
