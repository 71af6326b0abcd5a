// Every HTTP test collection runs against the one test database; they take turns.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
