using System.Globalization;
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
        {Exact(PledgerRollup.Kept(TrackerDatabase.Schema,
            $"select pledger_key, name from {TrackerDatabase.Schema}.{PledgerRollup.Pledgers} order by {PledgerRollup.ByName} limit @take offset @skip"))}
         order by k.pledger_key collate "C", k.currency;
        select count(*) from {TrackerDatabase.Schema}.{PledgerRollup.Pledgers}
        """;

    /// <summary>One pledger's totals (parameter @pledger, its key), as one statement of a command, read with <see cref="Read"/>.</summary>
    public static string OneSql => $"""
        {Exact(PledgerRollup.Kept(TrackerDatabase.Schema,
            $"select pledger_key, name from {TrackerDatabase.Schema}.{PledgerRollup.Pledgers} where pledger_key = @pledger"))}
         order by k.currency
        """;

    /// <summary>
    /// The kept figures with the amounts as PostgreSQL's exact text: a sum can carry more digits than .NET's decimal
    /// holds (a million and a pledge of 10^-25 are 32 digits), which Npgsql refuses to read; <see cref="Read"/> rounds
    /// them to the decimal's 28 or 29 digits, as the dashboard's sums are.
    /// </summary>
    private static string Exact(string kept) => $"""
        select k.pledger_key, k.name, k.currency, k.pledges, k.pledged::text, k.committed::text, k.disbursed::text,
               k.days_to_first, k.disbursed_pledges
          from ({kept}) k
        """;

    /// <summary>The pledgers of one of those statements' rows, in their order.</summary>
    public static async Task<IReadOnlyList<PledgerTotals>> Read(NpgsqlDataReader reader, CancellationToken token)
    {
        var rows = new List<(string Key, string Name, CurrencyTotals Totals, long Pledges, long Days, long Disbursed)>();
        while (await reader.ReadAsync(token))
        {
            var (pledged, disbursed) = (Amount(reader, 4), Amount(reader, 6));
            rows.Add((reader.GetString(0), reader.GetString(1),
                new CurrencyTotals(reader.GetString(2), pledged, Amount(reader, 5), disbursed, pledged - disbursed),
                (long)reader.GetDecimal(3), (long)reader.GetDecimal(7), (long)reader.GetDecimal(8)));
        }
        return rows.GroupBy(r => r.Key).Select(g =>
        {
            var disbursedPledges = g.Sum(r => r.Disbursed);
            return new PledgerTotals(g.Key, g.First().Name, (int)g.Sum(r => r.Pledges), g.Select(r => r.Totals).ToList(),
                disbursedPledges == 0 ? null : Math.Round((double)g.Sum(r => r.Days) / disbursedPledges, 1));
        }).ToList();

        // Amounts are bounded (10^15 each), so a sum's whole part always fits; only its last decimals are rounded.
        static decimal Amount(NpgsqlDataReader reader, int column) =>
            decimal.Parse(reader.GetString(column), NumberStyles.Float, CultureInfo.InvariantCulture);
    }
}
