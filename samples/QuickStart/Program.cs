// The QuickStart is written in the foundation issue; this placeholder keeps the solution building.
using var telemetry = QuickStart.ConsoleTelemetry.StartIfRequested(args);
System.Console.WriteLine("QuickStart");
