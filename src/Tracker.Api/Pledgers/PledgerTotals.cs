using Npgsql;
using Tracker.Api.Infrastructure;
using Tracker.Projections.Commitments.Pledges;

namespace Tracker.Api.Pledgers;

/// <summary>A pledger's totals in one currency, as pledged (never converted: each pledge keeps its own currency).</summary>
public sealed record CurrencyTotals(string Currency, decimal Pledged, decimal Committed, decimal Disbursed, decimal Outstanding);

/// <summary>A pledger's totals over every pledge it made, toward any commitment.</summary>
public sealed record PledgerTotals(string Key, string Name, int PledgeCount, IReadOnlyList<CurrencyTotals> Totals,
    double? AverageDaysToFirstDisbursement)
{
    /// <summary>
    /// The totals of a page of pledgers by name (parameters @take and @skip), then how many pledgers there are in all:
    /// two statements of one command, read with <see cref="Read"/>. From the rollup the pledges' triggers keep
    /// (<see cref="PledgerRollup"/>), so a page reads its pledgers' rows, not their pledges.
    /// </summary>
    public static string PageSql => $"""
        {PledgerRollup.Kept(TrackerDatabase.Schema,
            $"select pledger_key, name from {TrackerDatabase.Schema}.{PledgerRollup.Pledgers} order by {PledgerRollup.ByName} limit @take offset @skip")}
         order by upper(p.name) collate "C", p.pledger_key collate "C", f.currency;
        select count(*) from {TrackerDatabase.Schema}.{PledgerRollup.Pledgers}
        """;

    /// <summary>One pledger's totals (parameter @pledger, its key), as one statement of a command, read with <see cref="Read"/>.</summary>
    public static string OneSql => $"""
        {PledgerRollup.Kept(TrackerDatabase.Schema,
            $"select pledger_key, name from {TrackerDatabase.Schema}.{PledgerRollup.Pledgers} where pledger_key = @pledger")}
         order by f.currency
        """;

    /// <summary>The pledgers of one of those statements' rows, in their order.</summary>
    public static async Task<IReadOnlyList<PledgerTotals>> Read(NpgsqlDataReader reader, CancellationToken token)
    {
        var rows = new List<(string Key, string Name, CurrencyTotals Totals, long Pledges, long Days, long Disbursed)>();
        while (await reader.ReadAsync(token))
        {
            var (pledged, disbursed) = (reader.GetDecimal(4), reader.GetDecimal(6));
            rows.Add((reader.GetString(0), reader.GetString(1),
                new CurrencyTotals(reader.GetString(2), pledged, reader.GetDecimal(5), disbursed, pledged - disbursed),
                (long)reader.GetDecimal(3), (long)reader.GetDecimal(7), (long)reader.GetDecimal(8)));
        }
        return rows.GroupBy(r => r.Key).Select(g =>
        {
            var disbursedPledges = g.Sum(r => r.Disbursed);
            return new PledgerTotals(g.Key, g.First().Name, (int)g.Sum(r => r.Pledges), g.Select(r => r.Totals).ToList(),
                disbursedPledges == 0 ? null : Math.Round((double)g.Sum(r => r.Days) / disbursedPledges, 1));
        }).ToList();
    }
}
