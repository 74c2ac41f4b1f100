using Gate.Contracts.Json;
using Gate.Firmware.Storage;

namespace Gate.Firmware.Config
{
    /// <summary>
    /// Reads the configuration (gate.json) and the board file (board.json) from the flash and checks them
    /// together. The glue calls it at boot; on false it shows the trouble pattern on the board's default LED
    /// and calls it again later (a technician may be deploying a corrected file), never a crash loop.
    /// </summary>
    public static class GateBootstrap
    {
        public static bool TryLoad(IFlashStorage storage, out DeviceConfig config, out BoardPins pins, out string error)
        {
            config = null;
            pins = null;
            string configText;
            string boardText;
            if (!TryReadText(storage, DeviceConfig.FileName, out configText, out error)
                || !TryReadText(storage, DeviceConfig.BoardFileName, out boardText, out error))
            {
                return false;
            }

            DeviceConfig parsed;
            if (!DeviceConfig.TryParse(configText, out parsed, out error))
            {
                error = DeviceConfig.FileName + ": " + error;
                return false;
            }

            if (!parsed.TryResolvePins(boardText, out pins, out error))
            {
                error = DeviceConfig.BoardFileName + ": " + error;
                return false;
            }

            config = parsed;
            return true;
        }

        /// <summary>The LED pin to show trouble on when the configuration cannot be used: the board file's default, else -1.</summary>
        public static int TroubleLedPin(IFlashStorage storage)
        {
            string text;
            string error;
            BoardDefinition board;
            if (TryReadText(storage, DeviceConfig.BoardFileName, out text, out error) && BoardDefinition.TryParse(text, out board, out error))
            {
                return board.DefaultPin(GateFunction.Led);
            }

            return BoardPins.NotFitted;
        }

        private static bool TryReadText(IFlashStorage storage, string name, out string text, out string error)
        {
            text = null;
            byte[] data;
            try
            {
                data = storage.Read(name);
            }
            catch (System.Exception ex)
            {
                error = name + " cannot be read: " + ex.Message;
                return false;
            }

            if (data == null)
            {
                error = name + " is missing on the internal flash";
                return false;
            }

            if (!Utf8Text.TryDecode(data, 0, data.Length, out text))
            {
                error = name + " is not UTF-8 text";
                return false;
            }

            error = null;
            return true;
        }
    }
}
