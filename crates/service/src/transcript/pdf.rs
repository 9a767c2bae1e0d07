//! A transcript as a printable PDF, in the certificate's look ([`laurel_certificate`]): headed
//! by the issuer that would sign its CLR (its name, colour and paper size), then the
//! credentials, those not counted with why, and the totals.

use laurel_certificate::Paper;
use laurel_certificate::transcript::{Line, TranscriptPdf};
use laurel_store::PaperSize;

use super::{Row, Transcript, clr};
use crate::activity::local_time::Zone;
use crate::units::credits_number;
use crate::{Service, ServiceError, ServiceResult};

fn line(row: &Row) -> Line {
    Line {
        date: row.date.format("%Y-%m-%d").to_string(),
        provider: row.provider.clone(),
        // The role the person had ("as Presenter"), where the award carries one.
        title: match &row.award.role {
            Some(role) => format!("{} (as {role})", row.title),
            None => row.title.clone(),
        },
        category: row.category.clone().unwrap_or_default(),
        credits: row.credits.map(credits_number).unwrap_or_default(),
    }
}

/// The words of the PDF, without laying it out (what its tests read back).
pub async fn words(service: &Service, transcript: &Transcript) -> ServiceResult<TranscriptPdf> {
    let publisher = clr::signing_issuer(service, transcript, None).await?;
    let zone = Zone::stored(&service.store.issuer_time_zone(publisher.id).await?);
    let mut totals: Vec<(String, String)> = transcript
        .totals
        .iter()
        .map(|total| {
            (
                total
                    .category
                    .clone()
                    .unwrap_or_else(|| "No category".into()),
                credits_number(total.credits),
            )
        })
        .collect();
    totals.push((
        "Total credits".into(),
        credits_number(transcript.total_credits),
    ));
    Ok(TranscriptPdf {
        paper: match publisher.paper_size {
            PaperSize::Letter => Paper::Letter,
            PaperSize::A4 => Paper::A4,
        },
        publisher: publisher.name.clone(),
        brand_color: publisher.brand_color.clone(),
        person: transcript
            .name
            .clone()
            .unwrap_or_else(|| transcript.email.clone()),
        email: transcript.email.clone(),
        period: transcript.period.describe(),
        lines: transcript.rows.iter().map(line).collect(),
        excluded: transcript
            .excluded
            .iter()
            .map(|excluded| {
                let mut row = line(&excluded.row);
                row.credits = String::new();
                (row, excluded.reason_text.clone())
            })
            .collect(),
        totals,
        made: format!(
            "Made on {} from the credentials as signed",
            zone.local(transcript.generated_at)
                .date()
                .format("%-d %B %Y")
        ),
    })
}

/// The transcript as PDF bytes.
pub async fn render(service: &Service, transcript: &Transcript) -> ServiceResult<Vec<u8>> {
    let words = words(service, transcript).await?;
    tokio::task::spawn_blocking(move || laurel_certificate::transcript::render(&words))
        .await
        .map_err(|error| ServiceError::Internal(format!("the transcript stopped: {error}")))?
        .map_err(|error| ServiceError::Internal(format!("transcript PDF: {error}")))
}
