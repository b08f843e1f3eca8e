//! Psychosocial support: cases, encrypted notes, referrals. (Being built.)
