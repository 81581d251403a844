/* Writes ycck_adobe.jpg for make_cmyk_jpegs.py: the same four CMYK quadrants, as YCCK. */
#include <stdio.h>
#include <jpeglib.h>

static const int QUADRANTS[4][4] = {{255, 0, 0, 0}, {0, 255, 0, 0}, {0, 0, 255, 128}, {0, 0, 0, 0}};

int main(int argc, char** argv) {
  struct jpeg_compress_struct c;
  struct jpeg_error_mgr err;
  c.err = jpeg_std_error(&err);
  jpeg_create_compress(&c);
  FILE* f = fopen(argv[1], "wb");
  jpeg_stdio_dest(&c, f);
  c.image_width = 16;
  c.image_height = 16;
  c.input_components = 4;
  c.in_color_space = JCS_CMYK;
  jpeg_set_defaults(&c);
  jpeg_set_quality(&c, 100, TRUE);
  jpeg_set_colorspace(&c, JCS_YCCK); /* also writes the Adobe marker with transform 2 */
  for (int i = 0; i < 4; i++) c.comp_info[i].h_samp_factor = c.comp_info[i].v_samp_factor = 1;
  jpeg_start_compress(&c, TRUE);
  unsigned char row[16 * 4];
  while (c.next_scanline < 16) {
    int y = c.next_scanline;
    for (int x = 0; x < 16; x++) {
      const int* q = QUADRANTS[(y >= 8) * 2 + (x >= 8)];
      for (int k = 0; k < 4; k++) row[x * 4 + k] = (unsigned char)(255 - q[k]); /* Adobe-inverted */
    }
    JSAMPROW r = row;
    jpeg_write_scanlines(&c, &r, 1);
  }
  jpeg_finish_compress(&c);
  fclose(f);
  return 0;
}
