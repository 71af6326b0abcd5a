namespace Tracker.Domain;

/// <summary>
/// Free text that may run over several lines (a verbatim quote, a note, a reason): tab and line feed are allowed in it.
/// Every other text field is one line. No text field takes any other control character.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Parameter)]
public sealed class MultiLineAttribute : Attribute;
