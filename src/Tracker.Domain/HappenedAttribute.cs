namespace Tracker.Domain;

/// <summary>
/// The day something happened (a document published, a commitment stated, a pledge announced or paid, progress reported
/// as of, a status assessed or in effect, a rate quoted): never later than today. A fact dated in the future would be
/// counted as if it had happened (and, for an assessment, would refuse every real one dated before it until retracted).
/// A deadline or a target date is not such a day.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Parameter)]
public sealed class HappenedAttribute : Attribute;
