using System.Reflection;

[assembly: AssemblyTitle("Gate.Firmware.Esp32")]
[assembly: AssemblyDescription("Gate controller device glue for .NET nanoFramework on ESP32")]
[assembly: AssemblyProduct("Gate")]
[assembly: AssemblyVersion("1.0.0.0")]
