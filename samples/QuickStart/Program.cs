// The QuickStart is written in the foundation issue; this placeholder keeps the solution building.
System.Console.WriteLine("QuickStart");
