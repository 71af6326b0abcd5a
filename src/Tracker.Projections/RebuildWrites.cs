namespace Tracker.Projections;

/// <summary>
/// A rebuild's writes of models, which the triggers that keep the list rows and the pledgers' totals leave alone: the
/// rebuild writes the list rows again and puts the pledgers right at its end, once each over every model, instead of
/// once per model or per statement of 500 (a tenth of a rebuild's database time). Marked by a setting local to the
/// write's transaction, so a request's write, which never sets it, always fires them.
/// </summary>
public static class RebuildWrites
{
    /// <summary>Marks the writes of the current transaction as a rebuild's.</summary>
    public const string MarkSql = "select set_config('tracker.rebuild_writes', 'on', true)";

    /// <summary>Inside a trigger: whether the statement that fired it is a rebuild's (unset is not).</summary>
    public const string AreTheseSql = "current_setting('tracker.rebuild_writes', true) = 'on'";
}
